/* OpenBLAS's cblas_sgemm called directly from C: the reference that fedtune's own
 * sgemm figures (`fedtune bench`) are compared with, at the same sizes and timing.
 *
 * Build and run: benchmarks/compare.sh (or cc -O2 benchmarks/sgemm.c -lopenblas). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    double seconds = 1.0;
    printf("OpenBLAS kernel %s, %d threads\n", openblas_get_corename(), openblas_get_num_threads());
    for (int arg = 1; arg < argc; arg++) {
        int n = atoi(argv[arg]);
        float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
        for (long i = 0; i < (long)n * n; i++) {
            a[i] = (float)rand() / RAND_MAX * 2 - 1;
            b[i] = (float)rand() / RAND_MAX * 2 - 1;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        /* Best of three rounds, as `fedtune bench` measures. */
        double best = 0;
        for (int round = 0; round < 3; round++) {
            long iterations = 0;
            double start = now(), elapsed;
            do {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
                iterations++;
                elapsed = now() - start;
            } while (elapsed < seconds / 3);
            double rate = 2.0 * n * n * n * iterations / elapsed / 1e9;
            if (rate > best) best = rate;
        }
        printf("sgemm %5d³ (C)        %8.1f GFLOP/s\n", n, best);
        free(a);
        free(b);
        free(c);
    }
    return 0;
}
