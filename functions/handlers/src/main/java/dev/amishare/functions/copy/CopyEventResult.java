package dev.amishare.functions.copy;

/**
 * What CopyEventHandler did with one forwarded AMI event.
 *
 * @param resumed whether a waiting workflow task was answered
 */
public record CopyEventResult(boolean resumed) {
}
