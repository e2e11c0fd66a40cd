"""`custos disclose` on bad command lines: an unknown --format is a usage error
(exit 2) that lists every valid format; missing arguments are usage errors."""
import subprocess
import sys

FORMATS = ["notice-md", "notice-html", "xcprivacy", "play-csv", "android-labels", "dpv", "fideslang",
           "ics-json", "ics-md", "ixit-json", "ixit-md", "jcstar", "en18031", "cra", "all"]


def main():
    custos = sys.argv[sys.argv.index("--custos") + 1]
    r = subprocess.run([custos, "disclose", "--format", "pdf", "x.pb", "-o", "out"], capture_output=True, text=True)
    if r.returncode != 2:
        sys.exit(f"FAIL: unknown format exit {r.returncode}, expected 2")
    line = [l for l in r.stderr.splitlines() if "unknown disclosure format 'pdf'" in l]
    if not line or any(f not in line[0] for f in FORMATS):
        sys.exit(f"FAIL: the error does not list every valid format: {r.stderr}")
    r = subprocess.run([custos, "disclose", "--format", "dpv"], capture_output=True, text=True)
    if r.returncode != 2 or "required" not in r.stderr:
        sys.exit(f"FAIL: missing manifest and -o: exit {r.returncode}: {r.stderr}")
    print("custos disclose rejects bad command lines with the valid formats")


main()
