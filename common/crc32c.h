/* crc32c — CRC-32C (Castagnoli), the snapshot checksum. */
#ifndef SOCKSCOPE_CRC32C_H
#define SOCKSCOPE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC: start with crc = 0; crc32c(0, "123456789", 9) == 0xe3069283. */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);
/* The table-driven version, always; crc32c() uses the CPU's instruction
 * when it has one. Exposed so tests can check that both agree. */
uint32_t crc32c_portable(uint32_t crc, const void *data, size_t len);

#endif
