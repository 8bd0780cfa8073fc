/**
 * What provider and scheduler authors implement. A provider ({@link dev.jobq.spi.QueueProvider})
 * owns only storage and delivery mechanics for one named queue; the core owns attempts, backoff,
 * timeouts, heartbeats, dead-lettering decisions, delay routing, events and shutdown. Providers and
 * schedulers are found with {@link java.util.ServiceLoader} and selected by their type name.
 */
@NullMarked
package dev.jobq.spi;

import org.jspecify.annotations.NullMarked;
