"""fedtune's seeded splits, replicated bit for bit so that Flower sees the same data.

fedtune draws its global test set with `StratifiedSplit.indices(labels, [0.75, 0.25],
seed: scenario.seed + 202)` (Sources/FedSimulation/DataPlan.swift) and shuffles a site's
examples every local epoch with a `SeededGenerator` seeded by
`FederationCore.trainingSeed(local.seed, round, site)`. The generator is xoshiro256**
expanded from the seed with SplitMix64 (Sources/FedTensor/SeededGenerator.swift); a
bounded draw is the Swift standard library's `next(upperBound:)` (Lemire's nearly
divisionless method). Nothing here is needed at run time by fedtune: these functions only
let the Python side pick the same rows (and, optionally, the same batch order).
"""

MASK = (1 << 64) - 1


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & MASK


class SeededGenerator:
    """xoshiro256** with SplitMix64 seeding, as fedtune's `SeededGenerator`."""

    def __init__(self, seed: int) -> None:
        mixer = seed & MASK
        state = []
        for _ in range(4):
            mixer = (mixer + 0x9E3779B97F4A7C15) & MASK
            z = mixer
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(z ^ (z >> 31))
        self.s = state

    def next(self) -> int:
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_below(self, bound: int) -> int:
        """Swift's `RandomNumberGenerator.next(upperBound:)` for UInt64 (Lemire)."""
        m = self.next() * bound
        low = m & MASK
        if low < bound:
            t = ((1 << 64) - bound) % bound
            while low < t:
                m = self.next() * bound
                low = m & MASK
        return m >> 64

    def shuffle(self, values: list) -> None:
        """fedtune's Fisher–Yates: i from the end down to 1, j uniform in 0...i."""
        for i in range(len(values) - 1, 0, -1):
            j = self.next_below(i + 1)
            values[i], values[j] = values[j], values[i]


def stratified_split(labels, fractions, seed):
    """`StratifiedSplit.indices`: each class shuffled and cut (leftovers to part 0)."""
    generator = SeededGenerator(seed)
    by_class = {}
    for index, label in enumerate(labels):
        by_class.setdefault(int(label), []).append(index)
    parts = [[] for _ in fractions]
    for label in sorted(by_class):
        members = by_class[label]
        generator.shuffle(members)
        taken = [0] * len(fractions)
        for part in range(1, len(fractions)):
            # Swift's `rounded()` rounds half away from zero; Python's round() does not.
            x = len(members) * fractions[part]
            taken[part] = int(x + 0.5) if x >= 0 else -int(-x + 0.5)
        taken[0] = max(len(members) - sum(taken[1:]), 0)
        start = 0
        for part in range(len(fractions)):
            end = min(start + taken[part], len(members))
            parts[part].extend(members[start:end])
            start = end
    for part in parts:
        generator.shuffle(part)
    return parts


def training_seed(seed: int, round_number: int, site: str) -> int:
    """`FederationCore.trainingSeed`: FNV-1a of the site's name mixed with the round."""
    h = 0xCBF29CE484222325
    for byte in site.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & MASK
    return (seed + round_number * 1_000_003 + h) & MASK & ((1 << 53) - 1)
