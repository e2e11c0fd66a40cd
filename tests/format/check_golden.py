"""Every file `custos disclose --format all` writes for an example product,
compared byte for byte with tests/data/golden/<product>/, and the formats it
refuses with REFUSED.txt. Run with --update to rewrite the golden files after
a deliberate change, then read the diff as the notice's readers would."""
import filecmp
import os
import shutil

from disclose_common import Product, args, fail


def main():
    a = args()
    p = Product(a)
    produced = sorted(os.listdir(p.out))
    if a.update:
        shutil.rmtree(p.golden, ignore_errors=True)
        shutil.copytree(p.out, p.golden)
        if p.refused:
            with open(os.path.join(p.golden, "REFUSED.txt"), "w", encoding="utf-8") as f:
                f.write("\n".join(p.refused) + "\n")
        print(f"{p.name}: golden files rewritten ({len(produced)} files)")
        return
    golden = sorted(n for n in os.listdir(p.golden) if n != "REFUSED.txt")
    if produced != golden:
        fail(f"files {produced} != golden {golden}")
    for name in produced:
        if not filecmp.cmp(os.path.join(p.out, name), os.path.join(p.golden, name), shallow=False):
            fail(f"{name} differs from tests/data/golden/{p.name}/{name} "
                 f"(if the change is intended: check_golden.py --update)")
    if p.refused != p.expected_refusals():
        fail(f"refusals {p.refused} != golden {p.expected_refusals()}")
    print(f"{p.name}: {len(produced)} files identical to the golden files")


main()
