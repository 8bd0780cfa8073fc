/** Helpers for users' tests: a settable clock. The memory provider is the in-process queue for tests. */
@NullMarked
package dev.jobq.testing;

import org.jspecify.annotations.NullMarked;
