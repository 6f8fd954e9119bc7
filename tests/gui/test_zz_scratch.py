import os
from guihelpers import sign_in
def test_grab(qtbot, signed_out_window, services):
    w = signed_out_window
    for size in ((1024, 768), (1366, 768)):
        w.resize(*size); qtbot.wait(50)
        w.grab().save(f"/tmp/shots/signin-{size[0]}.png")
    sign_in(qtbot, w, services, "admin-1")
    for size in ((1024, 768), (1366, 768)):
        w.resize(*size)
        for i in range(w.tabs.count()):
            w.tabs.setCurrentIndex(i); qtbot.wait(200)
            w.grab().save(f"/tmp/shots/tab{i}-{size[0]}.png")
