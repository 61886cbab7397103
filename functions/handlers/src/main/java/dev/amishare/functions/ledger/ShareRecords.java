package dev.amishare.functions.ledger;

import java.util.List;
import java.util.Optional;

/** Reading the shares the ledger holds; {@link ShareLedger} implements it. */
public interface ShareRecords {

    /** One page of shares, newest share ids not guaranteed first: the ledger orders them by id. */
    record Page(List<ShareRecord> shares, String next) {
    }

    /** The share, or empty when the ledger has none of that id. */
    Optional<ShareRecord> share(String shareId);

    /**
     * Up to {@code limit} shares after {@code startAfter} (a share id from a previous page's {@code next}, or
     * null for the first page).
     */
    Page shares(int limit, String startAfter);
}
