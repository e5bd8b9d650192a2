/* Clinical photographs through libvips, in memory only: buffers in,
 * buffers out, so nothing of a photo ever reaches a file. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>
#include <vips/vips.h>

#include "needlelog/image.h"

/* The formats a photo may come in: libvips' loader, and our name for it. */
static const struct image_format {
	const char *loader;
	const char *source;
} image_formats[] = {
	{ "VipsForeignLoadJpegBuffer", "jpeg" },
	{ "VipsForeignLoadPngBuffer", "png" },
	{ "VipsForeignLoadWebpBuffer", "webp" },
	{ "VipsForeignLoadHeifBuffer", "heif" },
};

/* Loaders we recognise but refuse, by name, so the message can say which. */
static const struct image_other {
	const char *fragment;
	const char *name;
} image_others[] = {
	{ "gif", "GIF" }, { "tiff", "TIFF" }, { "svg", "SVG" }, { "pdf", "PDF" },
	{ "magick", "ImageMagick" }, { "jp2k", "JPEG 2000" }, { "jxl", "JPEG XL" },
	{ "fits", "FITS" }, { "matrix", "matrix" }, { "csv", "CSV" }, { "rad", "Radiance" },
	{ "ppm", "PPM" }, { "openexr", "OpenEXR" }, { "vips", "VIPS" },
};

static int vips_fail(struct nl_err *err, int status, const char *what)
{
	char msg[160];
	const char *e = vips_error_buffer();
	size_t n = strcspn(e, "\n");

	snprintf(msg, sizeof(msg), "%.*s", (int)(n < 120 ? n : 120), e);
	vips_error_clear();
	return nl_error(err, status, "%s%s%s", what, msg[0] ? ": " : "", msg);
}

/* libvips' warnings (a damaged tile) would go to stderr past the faces;
 * a failure comes back as an error instead. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

int image_init(struct nl_err *err)
{
	static int done;

	if (done)
		return NL_OK;
	/* A decoded image bigger than this threshold would go to a temporary
	 * file: plaintext on disk. Make it unreachable before libvips reads it. */
	setenv("VIPS_DISC_THRESHOLD", "1000g", 1);
	if (VIPS_INIT("needlelog") != 0)
		return vips_fail(err, NL_EINTERNAL, "starting libvips");
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO,
			  quiet, NULL);
	vips_cache_set_max(0);       /* no decoded image kept after use */
	vips_cache_set_max_mem(0);
	vips_block_untrusted_set(TRUE);
	vips_concurrency_set(2);
	done = 1;
	return NL_OK;
}

int image_read_file(const char *path, unsigned char **buf, size_t *len, struct nl_err *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	size_t got;

	*buf = NULL;
	*len = 0;
	if (!f)
		return nl_error(err, errno == ENOENT ? NL_ENOENT : NL_EIO, "cannot open it (%s)",
				strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return nl_error(err, NL_EDATA, "not a regular file");
	}
	if (st.st_size == 0 || (uint64_t)st.st_size > IMAGE_MAX_FILE) {
		fclose(f);
		return nl_error(err, NL_EDATA, st.st_size ? "larger than %u MB" : "empty file",
				IMAGE_MAX_FILE >> 20);
	}
	*buf = malloc((size_t)st.st_size);
	got = *buf ? fread(*buf, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (!*buf)
		return nl_error(err, NL_ENOMEM, "out of memory");
	if (got != (size_t)st.st_size) {
		image_bytes_free(*buf, (size_t)st.st_size);
		*buf = NULL;
		return nl_error(err, NL_EIO, "could not read it all");
	}
	*len = got;
	return NL_OK;
}

void image_bytes_free(unsigned char *buf, size_t len)
{
	if (buf)
		sodium_memzero(buf, len);
	free(buf);
}

/* Which of our formats the bytes are in; NL_EDATA saying what they are not. */
static int sniff(const unsigned char *buf, size_t len, const char **source,
		 struct nl_err *err)
{
	const char *loader = vips_foreign_find_load_buffer(buf, len);

	vips_error_clear();
	if (!loader)
		return nl_error(err, NL_EDATA, "not an image (or not one needlelog reads): "
				"use JPEG, PNG, WebP or HEIC");
	for (size_t i = 0; i < sizeof(image_formats) / sizeof(*image_formats); i++) {
		if (strcmp(loader, image_formats[i].loader) == 0) {
			*source = image_formats[i].source;
			return NL_OK;
		}
	}
	/* Every loader's name starts with the same prefix: look past it. */
	if (strncmp(loader, "VipsForeignLoad", 15) == 0)
		loader += 15;
	for (size_t i = 0; i < sizeof(image_others) / sizeof(*image_others); i++)
		if (strcasestr(loader, image_others[i].fragment))
			return nl_error(err, NL_EDATA, "unsupported format (%s): use JPEG, PNG, WebP "
					"or HEIC", image_others[i].name);
	return nl_error(err, NL_EDATA, "unsupported format: use JPEG, PNG, WebP or HEIC");
}

/* "YYYY:MM:DD HH:MM:SS (...)" as libvips shows EXIF, to "YYYY-MM-DD". */
static void exif_date(VipsImage *im, char out[11])
{
	const char *s = NULL;

	out[0] = '\0';
	if (vips_image_get_typeof(im, "exif-ifd2-DateTimeOriginal") == 0 ||
	    vips_image_get_string(im, "exif-ifd2-DateTimeOriginal", &s) != 0 || !s)
		return;
	for (int i = 0; i < 10; i++) {
		bool colon = i == 4 || i == 7;

		if (colon ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
			return;
	}
	snprintf(out, 11, "%.4s-%.2s-%.2s", s, s + 5, s + 8);
}

/* The header only: its size against the limit, and the capture date. */
static int read_header(const unsigned char *buf, size_t len, char taken[11],
		       struct nl_err *err)
{
	VipsImage *im = vips_image_new_from_buffer(buf, len, "", "access",
						   VIPS_ACCESS_SEQUENTIAL, NULL);
	double pixels;

	if (!im)
		return vips_fail(err, NL_EDATA, "damaged image (its header cannot be read)");
	pixels = (double)vips_image_get_width(im) * vips_image_get_height(im);
	exif_date(im, taken);
	if (pixels > IMAGE_MAX_PIXELS) {
		int w = vips_image_get_width(im), h = vips_image_get_height(im);

		g_object_unref(im);
		return nl_error(err, NL_EDATA, "%dx%d is %.0f megapixels, over the %d-megapixel "
				"limit (refused before decoding)", w, h, pixels / 1e6,
				IMAGE_MAX_PIXELS / 1000000);
	}
	g_object_unref(im);
	return NL_OK;
}

/* Alpha flattened onto white: JPEG has none, and a clinical photo's
 * background should not turn black. */
static int flatten(VipsImage **im)
{
	VipsImage *t;
	double white[1] = { 255 };

	if (!vips_image_hasalpha(*im))
		return 0;
	if (vips_flatten(*im, &t, "background", vips_array_double_new(white, 1), NULL) != 0)
		return -1;
	g_object_unref(*im);
	*im = t;
	return 0;
}

/* Oriented, in sRGB, at most edge pixels on the long side, as JPEG with
 * every metadata block (EXIF, XMP, IPTC, ICC) stripped. Without Huffman
 * optimisation: it holds the whole image's coefficients in memory (122
 * against 62 MB peak for 12 MP, bench/photo.c) for a file 18 % smaller. */
static int encode(const void *buf, size_t len, int edge, int q, unsigned char **out,
		  size_t *olen, int *w, int *h)
{
	VipsImage *im = NULL;
	void *jpeg = NULL;
	int rc = vips_thumbnail_buffer((void *)buf, len, &im, edge, "height", edge,
				       "size", VIPS_SIZE_DOWN, "export_profile", "srgb",
				       "option_string", "fail_on=truncated", NULL);

	if (rc == 0)
		rc = flatten(&im);
	if (rc == 0)
		rc = vips_jpegsave_buffer(im, &jpeg, olen, "Q", q, "strip", TRUE,
					  "subsample_mode", VIPS_FOREIGN_SUBSAMPLE_OFF, NULL);
	if (rc == 0 && w) {
		*w = vips_image_get_width(im);
		*h = vips_image_get_height(im);
	}
	if (im)
		g_object_unref(im);
	if (rc != 0) {
		g_free(jpeg);
		return -1;
	}
	/* Ours (malloc), so every free goes through image_bytes_free. */
	*out = malloc(*olen);
	if (*out)
		memcpy(*out, jpeg, *olen);
	sodium_memzero(jpeg, *olen);
	g_free(jpeg);
	return *out ? 0 : -2;
}

int image_import(const unsigned char *buf, size_t len, struct image_import *out,
		 struct nl_err *err)
{
	const char *source = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = image_init(err)) != NL_OK)
		return rc;
	if (!buf || len == 0)
		return nl_error(err, NL_EDATA, "empty file");
	if ((rc = sniff(buf, len, &source, err)) != NL_OK ||
	    (rc = read_header(buf, len, out->taken, err)) != NL_OK)
		return rc;
	snprintf(out->source, sizeof(out->source), "%s", source);
	rc = encode(buf, len, IMAGE_LONG_EDGE, IMAGE_QUALITY, &out->image, &out->image_len,
		    &out->width, &out->height);
	if (rc == 0)
		rc = encode(out->image, out->image_len, IMAGE_PREVIEW_EDGE, 85, &out->preview,
			    &out->preview_len, NULL, NULL);
	if (rc != 0) {
		image_import_free(out);
		return rc == -2 ? nl_error(err, NL_ENOMEM, "out of memory")
				: vips_fail(err, NL_EDATA, "damaged or truncated image");
	}
	return NL_OK;
}

void image_import_free(struct image_import *im)
{
	if (!im)
		return;
	image_bytes_free(im->image, im->image_len);
	image_bytes_free(im->preview, im->preview_len);
	memset(im, 0, sizeof(*im));
}

/* im as 3-band 8-bit sRGB. */
static int to_rgb(VipsImage **im)
{
	VipsImage *t;

	if (flatten(im) != 0)
		return -1;
	if (vips_image_get_bands(*im) < 3 || vips_image_get_interpretation(*im) != VIPS_INTERPRETATION_sRGB) {
		if (vips_colourspace(*im, &t, VIPS_INTERPRETATION_sRGB, NULL) != 0)
			return -1;
		g_object_unref(*im);
		*im = t;
	}
	if (vips_image_get_format(*im) != VIPS_FORMAT_UCHAR || vips_image_get_bands(*im) != 3) {
		if (vips_extract_band(*im, &t, 0, "n", 3, NULL) != 0)
			return -1;
		g_object_unref(*im);
		*im = t;
		if (vips_cast_uchar(*im, &t, NULL) != 0)
			return -1;
		g_object_unref(*im);
		*im = t;
	}
	return 0;
}

int image_decode_fit(const unsigned char *buf, size_t len, int maxw, int maxh,
		     struct image_pixels *out, struct nl_err *err)
{
	VipsImage *im = NULL;
	size_t size = 0;
	void *mem = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = image_init(err)) != NL_OK)
		return rc;
	if (maxw < 1 || maxh < 1)
		return nl_error(err, NL_EUSAGE, "image_decode_fit: no room");
	rc = vips_thumbnail_buffer((void *)buf, len, &im, maxw, "height", maxh, NULL);
	if (rc == 0)
		rc = to_rgb(&im);
	if (rc == 0)
		mem = vips_image_write_to_memory(im, &size);
	if (mem) {
		out->width = vips_image_get_width(im);
		out->height = vips_image_get_height(im);
		out->rgb = malloc(size);
		if (out->rgb)
			memcpy(out->rgb, mem, size);
		sodium_memzero(mem, size);
		g_free(mem);
	}
	if (im)
		g_object_unref(im);
	if (!mem)
		return vips_fail(err, NL_EDATA, "damaged image");
	return out->rgb ? NL_OK : nl_error(err, NL_ENOMEM, "out of memory");
}

void image_pixels_free(struct image_pixels *px)
{
	if (!px)
		return;
	if (px->rgb)
		sodium_memzero(px->rgb, (size_t)px->width * px->height * 3);
	free(px->rgb);
	memset(px, 0, sizeof(*px));
}

/* ---- generated pictures --------------------------------------------------- */

static unsigned next_rand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

/* One pixel of the picture: backdrop, an oval of skin, and spots. */
static void paint(unsigned char *p, int x, int y, int w, int h, const float *spots,
		  int nspots)
{
	double cx = w / 2.0, cy = h / 2.0, rx = w * 0.3, ry = h * 0.4;
	double dx = (x - cx) / rx, dy = (y - cy) / ry, d = dx * dx + dy * dy;
	double shade = 1.0 - 0.25 * (double)y / h;

	if (d > 1.0) {
		p[0] = (unsigned char)(70 * shade);
		p[1] = (unsigned char)(110 * shade);
		p[2] = (unsigned char)(150 * shade);
		return;
	}
	double r = 224 - 30 * d, g = 180 - 30 * d, b = 150 - 25 * d;

	for (int i = 0; i < nspots; i++) {
		double sx = x - spots[3 * i] * w, sy = y - spots[3 * i + 1] * h;
		double rad = spots[3 * i + 2] * w;

		if (sx * sx + sy * sy < rad * rad) {
			r -= 60;
			g -= 70;
			b -= 60;
			break;
		}
	}
	p[0] = (unsigned char)fmax(0, r);
	p[1] = (unsigned char)fmax(0, g);
	p[2] = (unsigned char)fmax(0, b);
}

static int save_as(VipsImage *im, const char *format, void **out, size_t *len)
{
	if (strcmp(format, "png") == 0)
		return vips_pngsave_buffer(im, out, len, NULL);
	if (strcmp(format, "webp") == 0)
		return vips_webpsave_buffer(im, out, len, NULL);
	if (strcmp(format, "heif") == 0)
		return vips_heifsave_buffer(im, out, len, "compression",
					    VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, NULL);
	return vips_jpegsave_buffer(im, out, len, "Q", 90, NULL);
}

int image_synthetic(int width, int height, double progress, unsigned seed, const char *format,
		    unsigned char **buf, size_t *len, struct nl_err *err)
{
	float spots[3 * 40];
	int nspots = (int)(40 * (1.0 - fmin(1.0, fmax(0.0, progress))) + 0.5);
	unsigned char *px;
	VipsImage *im;
	void *enc = NULL;
	int rc;

	*buf = NULL;
	*len = 0;
	if ((rc = image_init(err)) != NL_OK)
		return rc;
	for (int i = 0; i < 40; i++) {
		spots[3 * i] = 0.32f + 0.36f * (float)next_rand(&seed) / 32767.0f;
		spots[3 * i + 1] = 0.3f + 0.45f * (float)next_rand(&seed) / 32767.0f;
		spots[3 * i + 2] = 0.006f + 0.01f * (float)next_rand(&seed) / 32767.0f;
	}
	if (!(px = malloc((size_t)width * height * 3)))
		return nl_error(err, NL_ENOMEM, "out of memory");
	for (int y = 0; y < height; y++) {
		for (int x = 0; x < width; x++) {
			unsigned char *p = px + ((size_t)y * width + x) * 3;
			int grain = (int)(next_rand(&seed) % 13) - 6;

			paint(p, x, y, width, height, spots, nspots);
			/* A camera's grain, so the JPEG weighs what a photo does. */
			for (int c = 0; c < 3; c++)
				p[c] = (unsigned char)(p[c] + grain < 0 ? 0 : p[c] + grain > 255 ? 255
						       : p[c] + grain);
		}
	}
	im = vips_image_new_from_memory(px, (size_t)width * height * 3, width, height, 3,
					VIPS_FORMAT_UCHAR);
	rc = im ? save_as(im, format, &enc, len) : -1;
	if (im)
		g_object_unref(im);
	free(px);
	if (rc != 0)
		return vips_fail(err, NL_EINTERNAL, "generating a picture");
	*buf = malloc(*len);
	if (*buf)
		memcpy(*buf, enc, *len);
	g_free(enc);
	return *buf ? NL_OK : nl_error(err, NL_ENOMEM, "out of memory");
}
