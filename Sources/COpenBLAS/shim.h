// Debian's libopenblas-dev installs cblas.h (with openblas_get_corename and
// openblas_set_num_threads) on the default include path through alternatives.
#include <cblas.h>
