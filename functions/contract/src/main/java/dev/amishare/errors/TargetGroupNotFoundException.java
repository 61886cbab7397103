package dev.amishare.errors;

/**
 * Thrown when an AMI's targets tag names a target group ({@code group:<name>}) that has no parameter
 * under the owner account's target-group path in Parameter Store. No share starts: the tag's other
 * targets are not shared with either, so a typo cannot silently narrow a share.
 */
public final class TargetGroupNotFoundException extends TerminalException {

    private final String group;

    public TargetGroupNotFoundException(String group, String parameterName) {
        super("Target group '" + group + "' is not defined: no parameter " + parameterName
                + " in Parameter Store; nothing was shared");
        this.group = group;
    }

    public String group() {
        return group;
    }
}
