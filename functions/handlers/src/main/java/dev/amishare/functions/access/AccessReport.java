package dev.amishare.functions.access;

import java.util.List;

/**
 * Who has access to an image, its snapshots and its customer-managed keys, compared with the ledger.
 *
 * @param imageId the image
 * @param region the region the image is in
 * @param resources the image (LAUNCH) first, then its snapshots, then its keys, each sorted by id
 * @param driftCount how many principals' access differs from the ledger, over all resources
 * @param drift whether any does
 */
public record AccessReport(String imageId, String region, List<ResourceAccess> resources, int driftCount,
        boolean drift) {

    public AccessReport {
        resources = List.copyOf(resources);
    }
}
