package dev.amishare.functions.entry;

/**
 * One share an entry point started, or found already started.
 *
 * @param name the deterministic execution name
 * @param executionArn the execution's ARN; null when it already existed (StartExecution does not return it then)
 * @param alreadyStarted true when an execution of that name existed (a redelivered event)
 */
public record StartedExecution(String name, String executionArn, boolean alreadyStarted) {
}
