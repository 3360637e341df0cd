#ifndef ESHOP_CHIREDIS_SHIM_H
#define ESHOP_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#endif
