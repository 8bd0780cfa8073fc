/**
 * jobq's internals: the worker runtime, the envelope codec, config loading. Not API: anything here
 * may change in any release.
 */
@NullMarked
package dev.jobq.internal;

import org.jspecify.annotations.NullMarked;
