/**
 * What every {@code jobq} command is given and shares: the {@link dev.jobq.cli.context.CommandContext}
 * (environment, how queues are opened, where stop signals come from), the {@code --config} and
 * {@code --handlers} options with the checked config and class loader they lead to, and the exit
 * statuses with the {@link dev.jobq.cli.context.CommandFailure} that carries one.
 */
@NullMarked
package dev.jobq.cli.context;

import org.jspecify.annotations.NullMarked;
