/** Finding provider and scheduler factories with ServiceLoader by their type name. */
@NullMarked
package dev.jobq.internal.discovery;

import org.jspecify.annotations.NullMarked;
