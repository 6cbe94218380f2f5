"""`python -m bench [seed|masking|refresh|drill]`: every benchmark by default."""

import sys

from bench import drill, masking, refresh, seed

BENCHES = {"seed": seed.main, "masking": masking.main, "refresh": refresh.main, "drill": drill.main}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BENCHES):
        print(f"== {name} ==", flush=True)
        BENCHES[name]()
