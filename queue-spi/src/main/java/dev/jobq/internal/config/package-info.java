/**
 * Loading {@code jobq.yaml} (DESIGN §8): environment substitution, the seeds' environment
 * overrides, durations with units, and one error per problem with its key path.
 */
@NullMarked
package dev.jobq.internal.config;

import org.jspecify.annotations.NullMarked;
