"""The fideslang system description loaded as YAML and parsed by the real
fideslang package's models (fideslang.models.Taxonomy; installed from PyPI
into a venv under the build tree by setup_venv.py),
with every data use and data category resolved against fideslang's default
taxonomy or a custom entry declared in the file."""
from disclose_common import Product, args, fail

import yaml

from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import Taxonomy


def main():
    p = Product(args())
    path = p.file("fideslang-system.yaml")
    if path is None:
        return
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    systems = doc.get("system", [])
    if len(systems) != 1:
        fail(f"{len(systems)} systems, expected one")
    decls = systems[0]["privacy_declarations"]
    if [d["data_use"] for d in decls] != [x["key"] for x in p.purposes()]:
        fail("privacy declarations do not follow the manifest's purposes")
    uses = {d["data_use"] for d in decls}
    cats = {c for d in decls for c in d["data_categories"]}
    custom_uses = {e["fides_key"]: e for e in doc.get("data_use", [])}
    custom_cats = {e["fides_key"]: e for e in doc.get("data_category", [])}
    Taxonomy(**doc)
    default_uses = {u.fides_key for u in DEFAULT_TAXONOMY.data_use}
    default_cats = {c.fides_key for c in DEFAULT_TAXONOMY.data_category}
    for key in uses:
        if key not in default_uses and key not in custom_uses:
            fail(f"data use {key} is neither fideslang's nor declared")
    for key in cats:
        if key not in default_cats and key not in custom_cats:
            fail(f"data category {key} is neither fideslang's nor declared")
    for custom, known in ((custom_uses, default_uses), (custom_cats, default_cats)):
        for key, e in custom.items():
            if key in known:
                fail(f"{key} is redeclared although fideslang defines it")
            if e["parent_key"] not in known and e["parent_key"] not in custom:
                fail(f"{key}: parent {e['parent_key']} unknown")
    print(f"{p.name}: fideslang Taxonomy parses; {len(uses)} uses and {len(cats)} categories resolve")


main()
