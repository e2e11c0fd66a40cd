"""The HTML notices rendered by headless Chromium (print to PDF) on every run.
Chromium and a CJK font (Debian: chromium, fonts-noto-cjk, both in
scripts/deps) are required: without them the test fails with the install
line, it never skips. The Japanese PDF must embed a CJK font, so the
Japanese text was drawn with real glyphs rather than replacement boxes."""
import os
import re
import shutil
import subprocess

from disclose_common import Product, args, fail

INSTALL = "install them with scripts/deps (apt-get install chromium fonts-noto-cjk)"


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    fail(f"no Chromium found; {INSTALL}")


def require_cjk_font():
    fc = shutil.which("fc-list")
    if fc is None:
        fail(f"fc-list (fontconfig) not found; {INSTALL}")
    r = subprocess.run([fc, ":lang=ja", "family"], capture_output=True, text=True)
    if not r.stdout.strip():
        fail(f"no font covers Japanese; {INSTALL}")


def fonts_in(pdf):
    with open(pdf, "rb") as f:
        data = f.read()
    # Type0 fonts name themselves in /BaseFont; Skia's Type3 fonts (CFF
    # outlines such as Noto CJK) only in their descriptor's /FontName.
    return {m.decode("latin-1") for m in re.findall(rb"/(?:BaseFont|FontName)\s*/([A-Za-z0-9+_-]+)", data)}


def main():
    a = args()
    browser = chromium()
    require_cjk_font()
    p = Product(a)
    for lang in ("en", "ja"):
        html = p.file(f"privacy-notice.{lang}.html")
        pdf = os.path.join(p.tmp.name, f"notice.{lang}.pdf")
        r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            f"--user-data-dir={os.path.join(p.tmp.name, 'chromium-' + lang)}",
                            f"--print-to-pdf={pdf}", "file://" + html],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0 or not os.path.exists(pdf) or os.path.getsize(pdf) < 1000:
            fail(f"Chromium did not render {html}: {r.stderr[-500:]}")
        if lang == "ja" and not any(re.search(r"CJK|JP|Gothic|Mincho", f) for f in fonts_in(pdf)):
            fail(f"the Japanese notice was rendered without a CJK font (fonts: {sorted(fonts_in(pdf))}); {INSTALL}")
    print(f"{p.name}: Chromium rendered both notices, the Japanese one with a CJK font")


main()
