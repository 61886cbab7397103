package dev.amishare.functions.ledger;

/**
 * One writer's hold on one key policy, as {@link ShareLedger#acquire} took it.
 *
 * @param keyArn the key whose policy the holder may edit
 * @param owner the holder's token (its execution and a random part): only this token releases the lease
 * @param expiresAt when the lease lapses by itself, epoch seconds
 */
public record KeyLease(String keyArn, String owner, long expiresAt) {
}
