package dev.amishare.functions.access;

import java.util.List;

/**
 * Who has access to one resource of the image.
 *
 * @param kind {@link #LAUNCH} (the image), {@link #SNAPSHOT} or {@link #KEY}
 * @param resource the image id, snapshot id or key ARN
 * @param principals sorted by principal
 */
public record ResourceAccess(String kind, String resource, List<PrincipalAccess> principals) {

    public static final String LAUNCH = "LAUNCH";
    public static final String SNAPSHOT = "SNAPSHOT";
    public static final String KEY = "KEY";

    public ResourceAccess {
        principals = List.copyOf(principals);
    }
}
