/* The plain C reference for `fedtune bench aggregation`: FedAvg's fold s[i] += w·u[i]
 * over `sites` updates of `parameters` floats, on one core, timed the way fedtune
 * times it — each update is refilled with fresh values just before it is folded
 * (untimed), only the folding is timed, best of three rounds.
 *
 * Three lines per run:
 *   fold                      s += w·u only
 *   norm + clip + fold        ‖u‖ in double (finite iff every value is) first, as clipping needs
 *   ... + average             and then mean = s / Σn into a fresh buffer, as FedAvgAccumulator.average()
 *
 * Build and run: benchmarks/aggregation.sh (or cc -O2 -march=native benchmarks/fold.c -lm;
 * ./a.out [sites] [parameters]). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* xorshift64*: any cheap generator will do, the values only need to be fresh. */
static uint64_t state = 0x9E3779B97F4A7C15ull;
static float uniform(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (float)((state * 0x2545F4914F6CDD1Dull) >> 40) * 0x1p-24f * 2 - 1;
}

/* Σ u[i]² in double. Eight independent sums so the compiler can vectorise without
 * -ffast-math (one running sum is a serial chain of adds); the fold order differs
 * from a single sum, which the loop in fedtune also allows itself. */
static double squared_norm(const float *u, long n) {
    /* Named sums rather than an array: GCC -O2 without -march keeps an array of sums
     * on the stack and the loop then runs at a third of memory speed. */
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        s0 += (double)u[i] * u[i];
        s1 += (double)u[i + 1] * u[i + 1];
        s2 += (double)u[i + 2] * u[i + 2];
        s3 += (double)u[i + 3] * u[i + 3];
        s4 += (double)u[i + 4] * u[i + 4];
        s5 += (double)u[i + 5] * u[i + 5];
        s6 += (double)u[i + 6] * u[i + 6];
        s7 += (double)u[i + 7] * u[i + 7];
    }
    for (; i < n; i++) s0 += (double)u[i] * u[i];
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

enum { FOLD, NORM_FOLD, NORM_FOLD_AVERAGE };

/* One round: seconds spent folding `sites` updates (generation excluded). */
static double round_seconds(int mode, int sites, long n, float *s, float *u, double *check) {
    double folding = 0, total_examples = 0;
    float clip = 1;
    memset(s, 0, sizeof(float) * n);
    for (int site = 0; site < sites; site++) {
        float bound = (site % 2 == 0 ? 2.0f : 0.5f) * clip / sqrtf(n / 3.0f);
        for (long i = 0; i < n; i++) u[i] = uniform() * bound;
        float examples = 1 + (float)(state % 1000);

        double start = now();
        float w = examples;
        if (mode != FOLD) {
            double squared = squared_norm(u, n);
            if (!isfinite(squared)) {
                fprintf(stderr, "non-finite update\n");
                exit(1);
            }
            float norm = (float)sqrt(squared);
            w *= norm > clip ? clip / norm : 1;
        }
        for (long i = 0; i < n; i++) s[i] += w * u[i];
        total_examples += examples;
        folding += now() - start;
    }
    if (mode == NORM_FOLD_AVERAGE) {
        double start = now();
        float *mean = malloc(sizeof(float) * n), inverse = (float)(1 / total_examples);
        for (long i = 0; i < n; i++) mean[i] = s[i] * inverse;
        folding += now() - start;
        *check = squared_norm(mean, n);
        free(mean);
    } else {
        *check = squared_norm(s, n);
    }
    return folding;
}

int main(int argc, char **argv) {
    int sites = argc > 1 ? atoi(argv[1]) : 10;
    long n = argc > 2 ? atol(argv[2]) : 22000000;
    /* u starts 64 bytes past a page offset shared with s: large mallocs are page-aligned
     * alike, and then each load of u[i] waits on the store to s[i] before it (4K aliasing),
     * which made the -march=native fold 1.6 times slower on an AMD EPYC. */
    float *s = malloc(sizeof(float) * n), *block = malloc(sizeof(float) * (n + 16)), *u = block + 16;
    const char *names[] = {"fold s += w·u", "norm + clip + fold", "norm + clip + fold + average"};
    double check = 0;
    for (int mode = FOLD; mode <= NORM_FOLD_AVERAGE; mode++) {
        double best = INFINITY;
        for (int round = 0; round < 3; round++) {
            double seconds = round_seconds(mode, sites, n, s, u, &check);
            if (seconds < best) best = seconds;
        }
        printf("C %-29s %d × %.1fM  %8.3f s  (%.2f ms per update)\n", names[mode], sites, n / 1e6, best,
               best / sites * 1e3);
    }
    /* Printing a result keeps the compiler from dropping the loops. */
    printf("C check ‖s‖² %g\n", check);
    free(s);
    free(block);
    return 0;
}
