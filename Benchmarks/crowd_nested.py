"""Nested iteration with rmfg itself (Docs/Performance.md, section 8, "Seventh round"):
solves Examples/crowd-grid.yaml at each side given, coarsest first, each solve started
(`--initial`) from the previous side's mean field spread evenly over 2x2 cells (each side twice
the previous one), and prints per level the iterations, the phase message's tail and the CPU
seconds (user + system of the rmfg process):

  python3 Benchmarks/crowd_nested.py .build/release/rmfg 50 100 200
  python3 Benchmarks/crowd_nested.py .build/release/rmfg 75 150 300
"""
import json, os, resource, subprocess, sys, tempfile
import numpy as np


def spread(mu, side):
    """Each cell's mass over its 2x2 cells of the grid of twice the side."""
    return (np.kron(mu.reshape(side, side), np.ones((2, 2))) / 4).ravel()


def main(argv):
    rmfg, sides = argv[1], [int(a) for a in argv[2:]]
    game = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Examples', 'crowd-grid.yaml')
    mu = None; total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i, side in enumerate(sides):
            cmd = [rmfg, 'solve', game, '--param', f'width={side}', '--param', f'height={side}',
                   '--quiet', '--format', 'json']
            if mu is not None:
                if side != 2 * sides[i - 1]:
                    sys.exit(f'side {side} is not twice {sides[i - 1]}')
                start = os.path.join(tmp, f'start{side}.npy'); np.save(start, spread(mu, sides[i - 1]))
                cmd += ['--initial', start]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            total += cpu
            d = json.loads(out); mu = np.array(d['meanField'], dtype=float)
            print(f"{side}x{side}: converged {d['converged']}, {d['iterations']} iterations, residual "
                  f"{d['stationarityResidual']:.3e}, {cpu:.2f} s CPU ({total:.2f} s so far); "
                  f"{d['message'].split(';')[-1].strip()}", flush=True)


if __name__ == "__main__":
    main(sys.argv)
