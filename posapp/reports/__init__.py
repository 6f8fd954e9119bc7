"""What posapp hands over and counts: receipts, the day's close (Z report) and exports.

Every document is checked for card data before it is written (``reports.guard``): none ever
shows more than a card's brand and last 4 digits."""
