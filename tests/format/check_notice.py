"""The privacy notices: the HTML parsed by html5lib in strict mode (any HTML5
parse error fails), self-contained (no external resource), and every purpose
of the manifest named in every notice, Markdown and HTML, English and Japanese."""
import re

import html5lib

from disclose_common import Product, args, fail

EXTERNAL = re.compile(r"""(?:src|href)\s*=|@import|url\(|<script|<link""", re.I)


def check_html(p, lang, path):
    with open(path, "rb") as f:
        data = f.read()
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        tree = parser.parse(data)
    except html5lib.html5parser.ParseError as e:
        fail(f"{path}: HTML5 parse error: {e}")
    if tree.get("lang") != lang:
        fail(f"{path}: <html lang> is {tree.get('lang')!r}, expected {lang!r}")
    if EXTERNAL.search(data.decode("utf-8")):
        fail(f"{path}: refers to an external resource")
    return "".join(tree.itertext())


def main():
    p = Product(args())
    for lang in ("en", "ja"):
        texts = {}
        for ext in ("md", "html"):
            path = p.file(f"privacy-notice.{lang}.{ext}")
            if ext == "html":
                texts[ext] = check_html(p, lang, path)
            else:
                with open(path, encoding="utf-8") as f:
                    texts[ext] = f.read().replace("\\", "")
        for pur in p.purposes():
            name = pur["name"][lang]
            for ext, text in texts.items():
                if name not in text:
                    fail(f"{lang} {ext} notice does not name purpose {pur['id']} ({name})")
    print(f"{p.name}: notices parse and name all {len(p.purposes())} purposes in en and ja")


main()
