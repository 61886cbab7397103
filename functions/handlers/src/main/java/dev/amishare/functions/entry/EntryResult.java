package dev.amishare.functions.entry;

import java.util.List;

/**
 * What an entry-point function did with one event.
 *
 * @param executions the shares started or found started, in order
 * @param skipped why nothing was started, or null
 */
public record EntryResult(List<StartedExecution> executions, String skipped) {

    public EntryResult {
        executions = List.copyOf(executions);
    }

    public static EntryResult skipped(String reason) {
        return new EntryResult(List.of(), reason);
    }
}
