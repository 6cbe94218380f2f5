"""`python -m bench [--scale N ...] [seed|masking|refresh|drill ...]`: every benchmark by default, at each scale
given (BENCH_SCALE, else 100, when none is), then one table of every figure against its goal."""

import argparse
import os

from bench import drill, masking, refresh, seed, summary

BENCHES = {"seed": seed.main, "masking": masking.main, "refresh": refresh.main, "drill": drill.main}

if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", type=int, action="append", help="seed scale (repeat for several); default BENCH_SCALE or 100")
    parser.add_argument("benches", nargs="*", choices=[[], *BENCHES], metavar="BENCH", help=" | ".join(BENCHES))
    args = parser.parse_args()
    for scale in args.scale or [int(os.environ.get("BENCH_SCALE", "100"))]:
        os.environ["BENCH_SCALE"] = str(scale)
        for name in args.benches or list(BENCHES):
            print(f"== {name} at --scale {scale} ==", flush=True)
            BENCHES[name]()
    print("\n== every figure against its goal ==")
    print(summary.table())
