"""What a GUI test looks at after the fact: the stored orders and vault items."""


def stored_orders(services):
    return services.orders.page(limit=500).orders


def vault_items(services):
    return [entry.token for entry in services.vault.entries()]
