/**
 * Media the conformance fixtures return, made for exai (not copied from a test server): the
 * scenarios check only that image and audio content carry base64 `data` and a `mimeType`.
 */

/** A 1×1 PNG (one blue pixel, RGB, 8 bits per channel). */
export const FIXTURE_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGOQz38NAAIqAXp4ksuCAAAAAElFTkSuQmCC';

/** A WAV file: PCM, mono, 16 bits, 8 kHz, eight samples of silence (`audio/wav`, as tools-call-audio expects). */
export const FIXTURE_WAV_BASE64 = 'UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA';
