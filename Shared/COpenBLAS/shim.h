#ifndef ESHOP_COPENBLAS_SHIM_H
#define ESHOP_COPENBLAS_SHIM_H
// OpenBLAS' CBLAS interface (Debian: libopenblas-dev; pkg-config `openblas` puts the header of
// the installed variant, pthread or OpenMP, first on the include path).
#include <cblas.h>
#endif
