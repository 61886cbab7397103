package dev.amishare.functions.access;

import java.util.List;

/** Reads the ledger's grant items of one resource, for the access report. */
@FunctionalInterface
public interface GrantReader {

    /**
     * The grant items of a resource (pk {@code GRANT#<resource>}), read consistently.
     *
     * @param resource an image id, a snapshot id or a key ARN
     */
    List<RecordedGrant> grants(String resource);
}
