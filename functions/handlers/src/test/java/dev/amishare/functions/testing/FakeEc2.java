package dev.amishare.functions.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ServiceClientConfiguration;
import software.amazon.awssdk.services.ec2.model.CopyImageRequest;
import software.amazon.awssdk.services.ec2.model.CopyImageResponse;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotAttributeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.GetAllowedImagesSettingsRequest;
import software.amazon.awssdk.services.ec2.model.GetAllowedImagesSettingsResponse;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeResponse;
import software.amazon.awssdk.services.ec2.model.ModifySnapshotAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifySnapshotAttributeResponse;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * An in-memory EC2 of one account and region for unit tests: images, snapshots, launch and
 * create-volume permissions. Records every write; {@code failWithCode} makes every call fail.
 */
public final class FakeEc2 implements Ec2Client {

    public final String region;
    public final Map<String, Image> images = new LinkedHashMap<>();
    public final Map<String, Snapshot> snapshots = new LinkedHashMap<>();
    public final Map<String, Set<String>> launchPermissions = new HashMap<>();
    public final Map<String, Set<String>> volumePermissions = new HashMap<>();
    public final List<ModifyImageAttributeRequest> imageModifications = new ArrayList<>();
    public final List<ModifySnapshotAttributeRequest> snapshotModifications = new ArrayList<>();
    public final List<CopyImageRequest> copies = new ArrayList<>();
    public final List<DescribeImagesRequest> imageQueries = new ArrayList<>();
    /** The calling account: when set, {@code owners("self")} keeps only its images; when null it is ignored. */
    public String account;
    public int calls;
    public String failWithCode;
    public String copyFailsWithCode;
    public boolean closed;
    /** The account's Allowed AMIs settings in this region; AWS answers "disabled" when none were set. */
    public GetAllowedImagesSettingsResponse allowedImages =
            GetAllowedImagesSettingsResponse.builder().state("disabled").build();
    public int allowedImagesCalls;

    public FakeEc2(String region) {
        this.region = region;
    }

    public FakeEc2() {
        this("us-east-1");
    }

    private void call() {
        calls++;
        if (failWithCode != null) {
            throw Stubs.error(failWithCode);
        }
    }

    @Override
    public DescribeImagesResponse describeImages(DescribeImagesRequest request) {
        call();
        imageQueries.add(request);
        List<Image> found = new ArrayList<>();
        for (Image image : images.values()) {
            if (request.hasImageIds() && !request.imageIds().contains(image.imageId())) {
                continue;
            }
            if (account != null && request.owners().contains("self") && !account.equals(image.ownerId())) {
                continue;
            }
            if (matches(image, request.filters())) {
                found.add(image);
            }
        }
        if (request.hasImageIds() && found.isEmpty()) {
            throw Stubs.error("InvalidAMIID.NotFound");
        }
        return DescribeImagesResponse.builder().images(found).build();
    }

    private static boolean matches(Image image, List<Filter> filters) {
        for (Filter f : filters) {
            if (f.name().startsWith("tag:")) {
                String key = f.name().substring(4);
                boolean hit = image.tags().stream().anyMatch(t -> t.key().equals(key) && f.values().contains(t.value()));
                if (!hit) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public DescribeSnapshotsResponse describeSnapshots(DescribeSnapshotsRequest request) {
        call();
        List<Snapshot> found = new ArrayList<>();
        for (String id : request.snapshotIds()) {
            Snapshot s = snapshots.get(id);
            if (s == null) {
                throw Stubs.error("InvalidSnapshot.NotFound");
            }
            found.add(s);
        }
        return DescribeSnapshotsResponse.builder().snapshots(found).build();
    }

    @Override
    public DescribeImageAttributeResponse describeImageAttribute(DescribeImageAttributeRequest request) {
        call();
        List<LaunchPermission> permissions = launchPermissions.getOrDefault(request.imageId(), Set.of()).stream()
                .map(p -> p.startsWith("arn:") && p.contains(":ou/")
                        ? LaunchPermission.builder().organizationalUnitArn(p).build()
                        : p.startsWith("arn:")
                                ? LaunchPermission.builder().organizationArn(p).build()
                                : LaunchPermission.builder().userId(p).build())
                .toList();
        return DescribeImageAttributeResponse.builder().imageId(request.imageId()).launchPermissions(permissions).build();
    }

    @Override
    public ModifyImageAttributeResponse modifyImageAttribute(ModifyImageAttributeRequest request) {
        call();
        imageModifications.add(request);
        Set<String> current = launchPermissions.computeIfAbsent(request.imageId(), k -> new LinkedHashSet<>());
        request.launchPermission().add().forEach(p -> current.add(principal(p)));
        request.launchPermission().remove().forEach(p -> current.remove(principal(p)));
        return ModifyImageAttributeResponse.builder().build();
    }

    private static String principal(LaunchPermission p) {
        return p.userId() != null ? p.userId() : p.organizationArn() != null ? p.organizationArn() : p.organizationalUnitArn();
    }

    @Override
    public DescribeSnapshotAttributeResponse describeSnapshotAttribute(DescribeSnapshotAttributeRequest request) {
        call();
        List<CreateVolumePermission> permissions = volumePermissions.getOrDefault(request.snapshotId(), Set.of())
                .stream().map(a -> CreateVolumePermission.builder().userId(a).build()).toList();
        return DescribeSnapshotAttributeResponse.builder().snapshotId(request.snapshotId())
                .createVolumePermissions(permissions).build();
    }

    @Override
    public ModifySnapshotAttributeResponse modifySnapshotAttribute(ModifySnapshotAttributeRequest request) {
        call();
        snapshotModifications.add(request);
        Set<String> current = volumePermissions.computeIfAbsent(request.snapshotId(), k -> new LinkedHashSet<>());
        request.createVolumePermission().add().forEach(p -> current.add(p.userId()));
        request.createVolumePermission().remove().forEach(p -> current.remove(p.userId()));
        return ModifySnapshotAttributeResponse.builder().build();
    }

    @Override
    public CopyImageResponse copyImage(CopyImageRequest request) {
        call();
        if (copyFailsWithCode != null) {
            throw Stubs.error(copyFailsWithCode);
        }
        copies.add(request);
        String id = "ami-" + String.format("%017x", copies.size());
        List<Tag> tags = new ArrayList<>();
        request.tagSpecifications().forEach(t -> tags.addAll(t.tags()));
        images.put(id, Image.builder().imageId(id).name(request.name()).state(ImageState.PENDING).tags(tags).build());
        return CopyImageResponse.builder().imageId(id).build();
    }

    @Override
    public GetAllowedImagesSettingsResponse getAllowedImagesSettings(GetAllowedImagesSettingsRequest request) {
        call();
        allowedImagesCalls++;
        return allowedImages;
    }

    @Override
    public Ec2ServiceClientConfiguration serviceClientConfiguration() {
        return Ec2ServiceClientConfiguration.builder().region(Region.of(region)).build();
    }

    @Override
    public String serviceName() {
        return "ec2";
    }

    @Override
    public void close() {
        closed = true;
    }
}
