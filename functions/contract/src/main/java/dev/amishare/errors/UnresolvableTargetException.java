package dev.amishare.errors;

/**
 * Thrown when an AMI's targets tag names a target amishare cannot turn into a principal: an organization
 * or OU id while the deployment does not know the organization's management account (its ARNs carry
 * it), an OU id without a perimeter organization, a malformed group name, or target groups naming more
 * groups than one tag may read. No share starts; the owner has to fix the tag, a group or the deployment.
 */
public final class UnresolvableTargetException extends TerminalException {

    public UnresolvableTargetException(String target, String reason) {
        super("Target '" + target + "' of the targets tag cannot be resolved: " + reason + "; nothing was shared");
    }
}
