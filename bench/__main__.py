"""`python -m bench [seed|masking]`: every benchmark by default."""

import sys

from bench import masking, seed

BENCHES = {"seed": seed.main, "masking": masking.main}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BENCHES):
        print(f"== {name} ==", flush=True)
        BENCHES[name]()
