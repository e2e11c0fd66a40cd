"""The HTML notices rendered by headless Chromium (print to PDF). Skipped, with
a message, where no Chromium is installed."""
import os
import shutil
import subprocess
import sys

from disclose_common import SKIP, Product, args, fail


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def main():
    a = args()
    browser = chromium()
    if browser is None:
        print("SKIP: no Chromium found (apt-get install chromium to run the render test)")
        sys.exit(SKIP)
    p = Product(a)
    for lang in ("en", "ja"):
        html = p.file(f"privacy-notice.{lang}.html")
        pdf = os.path.join(p.tmp.name, f"notice.{lang}.pdf")
        r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            f"--print-to-pdf={pdf}", "file://" + html],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0 or not os.path.exists(pdf) or os.path.getsize(pdf) < 1000:
            fail(f"Chromium did not render {html}: {r.stderr[-500:]}")
    print(f"{p.name}: Chromium rendered both notices")


main()
