/* Test helper: makes the pictures the photo tests need, in code (no
 * photograph is downloaded), and reads pixels back.
 *   mkimg exif OUT W H     a JPEG whose left third is red and the rest blue,
 *                          with an EXIF block crafted byte by byte: Make
 *                          "CanaryCam", Orientation 6 (turn 90° clockwise),
 *                          GPS latitude 48°51'N, BodySerialNumber
 *                          "SN-CANARY-4242", DateTimeOriginal 2025:11:02
 *   mkimg FORMAT OUT W H [P] a generated picture (jpeg png webp heif), progress P
 *   mkimg bomb OUT         a PNG whose header says 40000 x 40000 pixels
 *   mkimg gif OUT          a 1x1 GIF
 *   mkimg probe FILE       "WxH TL BL": size and the colour (R, G, B or ?) of
 *                          the top-left and bottom-left pixels */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vips/vips.h>

#include "needlelog/image.h"

/* ---- a TIFF block for EXIF, little-endian ---------------------------------- */

struct tiff {
	unsigned char b[1024];
	size_t n;
};

static void put16(struct tiff *t, size_t at, unsigned v)
{
	t->b[at] = v & 0xff;
	t->b[at + 1] = (v >> 8) & 0xff;
}

static void put32(struct tiff *t, size_t at, unsigned v)
{
	put16(t, at, v & 0xffff);
	put16(t, at + 2, v >> 16);
}

/* An IFD of n entries at t->n; returns where the entries start. */
static size_t ifd(struct tiff *t, unsigned n)
{
	size_t at = t->n;

	put16(t, at, n);
	put32(t, at + 2 + 12 * n, 0);
	t->n += 2 + 12 * n + 4;
	return at + 2;
}

/* Entry i of the IFD at e: its value inline (v) or data appended. */
static void entry(struct tiff *t, size_t e, unsigned i, unsigned tag, unsigned type,
		  unsigned count, unsigned v, const void *data, size_t len)
{
	size_t at = e + 12 * i;

	put16(t, at, tag);
	put16(t, at + 2, type);
	put32(t, at + 4, count);
	if (!data) {
		put32(t, at + 8, v);
		return;
	}
	if (len <= 4) {
		memcpy(t->b + at + 8, data, len);
		return;
	}
	put32(t, at + 8, (unsigned)t->n);
	memcpy(t->b + t->n, data, len);
	t->n += len + (len & 1);
}

static void make_exif(struct tiff *t)
{
	static const char make[] = "CanaryCam", date[] = "2025:11:02 09:30:00",
			  serial[] = "SN-CANARY-4242";
	unsigned char lat[24] = { 0 };
	size_t e0, ee, eg;

	memset(t, 0, sizeof(*t));
	memcpy(t->b, "II*\0\x08\0\0\0", 8);
	t->n = 8;
	e0 = ifd(t, 4);
	entry(t, e0, 0, 0x010f, 2, sizeof(make), 0, make, sizeof(make));
	entry(t, e0, 1, 0x0112, 3, 1, 6, NULL, 0);
	ee = ifd(t, 2);
	entry(t, e0, 2, 0x8769, 4, 1, (unsigned)(ee - 2), NULL, 0);
	entry(t, ee, 0, 0x9003, 2, sizeof(date), 0, date, sizeof(date));
	entry(t, ee, 1, 0xa431, 2, sizeof(serial), 0, serial, sizeof(serial));
	eg = ifd(t, 2);
	entry(t, e0, 3, 0x8825, 4, 1, (unsigned)(eg - 2), NULL, 0);
	entry(t, eg, 0, 0x0001, 2, 2, 0, "N", 2);
	lat[0] = 48; lat[4] = 1; lat[8] = 51; lat[12] = 1; lat[16] = 24; lat[20] = 1;
	entry(t, eg, 1, 0x0002, 5, 3, 0, lat, sizeof(lat));
}

static int write_file(const char *path, const void *a, size_t la, const void *b, size_t lb)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(a, 1, la, f) != la || (lb && fwrite(b, 1, lb, f) != lb)) {
		perror(path);
		return 1;
	}
	return fclose(f) != 0;
}

static int make_exif_jpeg(const char *out, int w, int h)
{
	unsigned char *px = malloc((size_t)w * h * 3), app[2048];
	struct tiff t;
	void *jpeg = NULL;
	size_t len = 0, n;
	VipsImage *im;
	int rc;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			unsigned char *p = px + ((size_t)y * w + x) * 3;
			int red = x < w / 3;

			p[0] = red ? 220 : 20;
			p[1] = 20;
			p[2] = red ? 20 : 220;
		}
	im = vips_image_new_from_memory(px, (size_t)w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
	if (!im || vips_jpegsave_buffer(im, &jpeg, &len, "strip", TRUE, NULL) != 0)
		vips_error_exit("mkimg");
	make_exif(&t);
	n = 2 + 6 + t.n;
	app[0] = 0xff;
	app[1] = 0xe1;
	app[2] = (unsigned char)(n >> 8);
	app[3] = n & 0xff;
	memcpy(app + 4, "Exif\0\0", 6);
	memcpy(app + 10, t.b, t.n);
	/* SOI, then our APP1, then the rest of the JPEG. */
	rc = write_file(out, jpeg, 2, NULL, 0);
	{
		FILE *f = fopen(out, "ab");

		rc |= !f || fwrite(app, 1, 2 + n, f) != 2 + n ||
		      fwrite((char *)jpeg + 2, 1, len - 2, f) != len - 2 || fclose(f) != 0;
	}
	g_object_unref(im);
	g_free(jpeg);
	free(px);
	return rc;
}

static unsigned long crc_table(unsigned long c)
{
	for (int k = 0; k < 8; k++)
		c = c & 1 ? 0xedb88320UL ^ (c >> 1) : c >> 1;
	return c;
}

static unsigned long crc32_of(const unsigned char *p, size_t n)
{
	unsigned long c = 0xffffffffUL;

	for (size_t i = 0; i < n; i++)
		c = crc_table((c ^ p[i]) & 0xff) ^ (c >> 8);
	return c ^ 0xffffffffUL;
}

static void be32(unsigned char *p, unsigned long v)
{
	p[0] = (v >> 24) & 0xff;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* The header of a 40000 x 40000 PNG and nothing to decode: refused from it. */
static int make_bomb(const char *out)
{
	unsigned char b[96] = "\x89PNG\r\n\x1a\n";
	size_t n = 8;

	be32(b + n, 13);
	memcpy(b + n + 4, "IHDR", 4);
	be32(b + n + 8, 40000);
	be32(b + n + 12, 40000);
	b[n + 16] = 8;  /* depth */
	b[n + 17] = 2;  /* RGB */
	be32(b + n + 21, crc32_of(b + n + 4, 17));
	n += 25;
	/* An IDAT of a few bytes: a decoder would need 4.8 GB for the rest. */
	be32(b + n, 2);
	memcpy(b + n + 4, "IDAT\x78\x9c", 6);
	be32(b + n + 10, crc32_of(b + n + 4, 6));
	n += 14;
	be32(b + n, 0);
	memcpy(b + n + 4, "IEND", 4);
	be32(b + n + 8, crc32_of(b + n + 4, 4));
	n += 12;
	return write_file(out, b, n, NULL, 0);
}

static int make_gif(const char *out)
{
	static const unsigned char gif[] = {
		'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
		0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b,
	};

	return write_file(out, gif, sizeof(gif), NULL, 0);
}

static char colour(VipsImage *im, int x, int y)
{
	double *v = NULL;
	int n = 0;
	char c = '?';

	if (vips_getpoint(im, &v, &n, x, y, NULL) != 0 || n < 3)
		return '?';
	if (v[0] > 150 && v[2] < 100)
		c = 'R';
	else if (v[2] > 150 && v[0] < 100)
		c = 'B';
	else if (v[1] > 150 && v[0] < 100)
		c = 'G';
	g_free(v);
	return c;
}

static int probe(const char *path)
{
	VipsImage *im = vips_image_new_from_file(path, NULL);

	if (!im)
		vips_error_exit("mkimg probe");
	printf("%dx%d %c %c\n", vips_image_get_width(im), vips_image_get_height(im),
	       colour(im, 2, 2), colour(im, 2, vips_image_get_height(im) - 3));
	g_object_unref(im);
	return 0;
}

int main(int argc, char **argv)
{
	struct nl_err err = { 0 };
	unsigned char *buf = NULL;
	size_t len = 0;

	if (VIPS_INIT(argv[0]) != 0 || argc < 3)
		return 2;
	if (strcmp(argv[1], "exif") == 0 && argc == 5)
		return make_exif_jpeg(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (strcmp(argv[1], "bomb") == 0)
		return make_bomb(argv[2]);
	if (strcmp(argv[1], "gif") == 0)
		return make_gif(argv[2]);
	if (strcmp(argv[1], "probe") == 0)
		return probe(argv[2]);
	if (argc < 5 || image_synthetic(atoi(argv[3]), atoi(argv[4]), argc > 5 ? atof(argv[5]) : 0,
					7, argv[1], &buf, &len, &err) != NL_OK) {
		fprintf(stderr, "mkimg: %s\n", err.msg[0] ? err.msg : "usage");
		return 2;
	}
	int rc = write_file(argv[2], buf, len, NULL, 0);

	free(buf);
	return rc;
}
