/* Image processing for clinical photographs (libvips, with libheif for
 * HEIC): import (orientation applied, every metadata block stripped, the
 * capture date read first, the long edge capped), decoding for display,
 * and the demo's generated pictures. It works on bytes in memory only and
 * knows nothing of the record or of SQL; libvips is set up never to write a
 * temporary file (docs/file-format.md, "Photographs").
 *
 * Errors: NL_EDATA with a message that says what is wrong with the bytes
 * (the caller names the file), NL_ENOMEM, NL_EINTERNAL. */
#ifndef NEEDLELOG_IMAGE_H
#define NEEDLELOG_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "needlelog/err.h"

#define IMAGE_LONG_EDGE 4096        /* the stored image's long edge, at most */
#define IMAGE_PREVIEW_EDGE 512      /* the preview's */
#define IMAGE_MAX_PIXELS 100000000  /* larger is refused from the header */
#define IMAGE_MAX_FILE (200u << 20) /* bytes read from a file, at most */
#define IMAGE_QUALITY 95            /* JPEG quality of the stored image, 4:4:4 */

/* A photo ready to store: both JPEG, without metadata. */
struct image_import {
	unsigned char *image;
	size_t image_len;
	int width, height;
	unsigned char *preview;
	size_t preview_len;
	char taken[11];     /* EXIF DateTimeOriginal's date, "" if none */
	char source[8];     /* jpeg, png, webp, heif */
};

/* Pixels for display: 8-bit RGB, rows packed. */
struct image_pixels {
	unsigned char *rgb;
	int width, height;
};

/* Sets libvips up (once per process): no operation cache, no disk
 * spilling, untrusted loaders blocked. Every function below calls it. */
int image_init(struct nl_err *err);

/* Reads a whole file into memory (at most IMAGE_MAX_FILE bytes); NL_ENOENT
 * when it cannot be opened, NL_EDATA when empty or too large. Free with
 * image_bytes_free. */
int image_read_file(const char *path, unsigned char **buf, size_t *len, struct nl_err *err);
void image_bytes_free(unsigned char *buf, size_t len);

/* JPEG, PNG, WebP or HEIC/HEIF bytes to a photo ready to store. Refuses an
 * empty input, a non-image, another format, an image over
 * IMAGE_MAX_PIXELS (from its header, before decoding) and a truncated or
 * damaged one (NL_EDATA). */
int image_import(const unsigned char *buf, size_t len, struct image_import *out,
		 struct nl_err *err);
void image_import_free(struct image_import *im);

/* Decodes stored bytes scaled to fit within maxw x maxh pixels. */
int image_decode_fit(const unsigned char *buf, size_t len, int maxw, int maxh,
		     struct image_pixels *out, struct nl_err *err);
void image_pixels_free(struct image_pixels *px);

/* A generated picture for the demo and the tests (no photograph is ever
 * downloaded): a face-like oval on a backdrop, its blemishes fading as
 * progress goes from 0 to 1, drawn at width x height and encoded as JPEG
 * ("jpeg"), PNG, WebP or HEIF ("heif"). */
int image_synthetic(int width, int height, double progress, unsigned seed,
		    const char *format, unsigned char **buf, size_t *len, struct nl_err *err);

#endif
