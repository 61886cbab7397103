package dev.amishare.functions.ledger;

/**
 * Which grants a revoke ends: one share's (rollback and unshare), or, when it names no share, every share's
 * grant of the image (an operator's revoke by image), or, when it names neither, every grant of the resource.
 * A principal loses access only when no grant outside the scope remains.
 *
 * @param shareId the share whose grants end, or null
 * @param imageId the image whose grants end when no share is named, or null
 */
public record GrantScope(String shareId, String imageId) {

    public boolean covers(Grant grant) {
        if (shareId != null) {
            return shareId.equals(grant.shareId());
        }
        // A grant that names no image (one recorded without its share's record) cannot be shown to be
        // another image's: a revoke by image ends it rather than keep access for nobody known.
        return imageId == null || grant.imageId() == null || imageId.equals(grant.imageId());
    }
}
