/*-------------------------------------------------------------------------
 *
 * digest.c
 *	  MD5 (RFC 1321) and SHA-1 (FIPS 180-4) for the tools whose bookkeeping
 *	  stores them: Liquibase's MD5SUM and graphile-migrate's hash chain.
 *
 * The adapters are plain C and run in unit tests without the server, so
 * they cannot use PostgreSQL's cryptohash; both digests are small.
 *
 *-------------------------------------------------------------------------
 */
#include "formats/formats_b.h"

#include <stdint.h>
#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

static void
to_hex(const uint8_t *d, int n, char *out)
{
	for (int i = 0; i < n; i++)
	{
		out[2 * i] = hexdigits[d[i] >> 4];
		out[2 * i + 1] = hexdigits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static uint32_t
rol(uint32_t x, int c)
{
	return (x << c) | (x >> (32 - c));
}

/* ---------- MD5 ---------- */

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391
};
static const int md5_r[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21
};

static void
md5_block(uint32_t h[4], const uint8_t *p)
{
	uint32_t	w[16],
				a = h[0],
				b = h[1],
				c = h[2],
				d = h[3];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t) p[4 * i] | (uint32_t) p[4 * i + 1] << 8 |
			(uint32_t) p[4 * i + 2] << 16 | (uint32_t) p[4 * i + 3] << 24;
	for (int i = 0; i < 64; i++)
	{
		uint32_t	f;
		int			g;

		if (i < 16)
			f = (b & c) | (~b & d), g = i;
		else if (i < 32)
			f = (d & b) | (~d & c), g = (5 * i + 1) % 16;
		else if (i < 48)
			f = b ^ c ^ d, g = (3 * i + 5) % 16;
		else
			f = c ^ (b | ~d), g = (7 * i) % 16;
		f += a + md5_k[i] + w[g];
		a = d;
		d = c;
		c = b;
		b += rol(f, md5_r[i]);
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

/*
 * Both digests pad the same way (0x80, zeros, 64-bit bit length) and
 * differ in the byte order of the length and of the words.
 */
static void
run_blocks(const uint8_t *data, size_t len, bool big_endian,
		   void (*block) (uint32_t *, const uint8_t *), uint32_t *h)
{
	uint8_t		tail[128];
	size_t		full = len / 64 * 64,
				rest = len - full,
				tl;
	uint64_t	bits = (uint64_t) len * 8;

	for (size_t i = 0; i < full; i += 64)
		block(h, data + i);
	memset(tail, 0, sizeof(tail));
	if (rest)
		memcpy(tail, data + full, rest);
	tail[rest] = 0x80;
	tl = rest + 9 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[big_endian ? tl - 1 - i : tl - 8 + i] = (uint8_t) (bits >> (8 * i));
	block(h, tail);
	if (tl == 128)
		block(h, tail + 64);
}

void
fmt_md5_hex(const void *data, size_t len, char out[33])
{
	uint32_t	h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
	uint8_t		d[16];

	run_blocks(data, len, false, md5_block, h);
	for (int i = 0; i < 16; i++)
		d[i] = (uint8_t) (h[i / 4] >> (8 * (i % 4)));
	to_hex(d, 16, out);
}

/* ---------- SHA-1 ---------- */

static void
sha1_block(uint32_t h[5], const uint8_t *p)
{
	uint32_t	w[80],
				a = h[0],
				b = h[1],
				c = h[2],
				d = h[3],
				e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 |
			(uint32_t) p[4 * i + 2] << 8 | (uint32_t) p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++)
	{
		uint32_t	f,
					k,
					t;

		if (i < 20)
			f = (b & c) | (~b & d), k = 0x5a827999;
		else if (i < 40)
			f = b ^ c ^ d, k = 0x6ed9eba1;
		else if (i < 60)
			f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
		else
			f = b ^ c ^ d, k = 0xca62c1d6;
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void
fmt_sha1_hex(const void *data, size_t len, char out[41])
{
	uint32_t	h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
	uint8_t		d[20];

	run_blocks(data, len, true, sha1_block, h);
	for (int i = 0; i < 20; i++)
		d[i] = (uint8_t) (h[i / 4] >> (24 - 8 * (i % 4)));
	to_hex(d, 20, out);
}
