package dev.amishare.tests;

import java.net.URI;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives integration tests one emulator for the whole run: the first test
 * class that needs it connects or starts it, and the root store stops it after the last test.
 * Test classes take an {@link Aws} (clients per account) as a parameter.
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalStackExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        emulator(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Aws.class || type == URI.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Running running = emulator(context);
        return parameter.getParameter().getType() == URI.class ? running.localStack.endpoint() : running.aws;
    }

    private static Running emulator(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, key -> {
            LocalStack localStack = LocalStack.startOrConnect();
            return new Running(localStack, new Aws(localStack.endpoint()));
        }, Running.class);
    }

    /** Closed by JUnit when the root context ends, after every test class. */
    private record Running(LocalStack localStack, Aws aws) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            aws.close();
            localStack.stop();
        }
    }
}
