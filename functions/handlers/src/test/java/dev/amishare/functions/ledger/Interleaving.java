package dev.amishare.functions.ledger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An explicit scheduler for two or more writers: each runs on its own thread and stops before every AWS
 * call it makes through a gated client ({@link #gate}); the test lets one call through at a time with
 * {@link #step}, and each step returns once the call is complete and the writer has stopped before its
 * next one (or ended). No sleeps: every wait is on a monitor, bounded so that a wrong interleaving fails
 * the test instead of hanging it.
 */
final class Interleaving {

    static final String DONE = "done";
    private static final long WAIT_MILLIS = 10_000;

    private final Map<String, Actor> actors = new LinkedHashMap<>();
    private final ThreadLocal<Actor> current = new ThreadLocal<>();

    private static final class Actor {
        final String name;
        String at;
        boolean go;
        boolean done;
        long arrivals;
        Object result;
        RuntimeException failure;

        Actor(String name) {
            this.name = name;
        }
    }

    /** Starts {@code body} as writer {@code name}; it stops before its first gated call. */
    synchronized void start(String name, Supplier<?> body) {
        Actor actor = new Actor(name);
        actors.put(name, actor);
        Thread thread = new Thread(() -> {
            current.set(actor);
            Object result = null;
            RuntimeException failure = null;
            try {
                result = body.get();
            } catch (RuntimeException e) {
                failure = e;
            }
            synchronized (Interleaving.this) {
                actor.result = result;
                actor.failure = failure;
                actor.done = true;
                Interleaving.this.notifyAll();
            }
        }, "writer-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Called by the gated clients before each call; stops a writer's thread until the test steps it. */
    void gate(String call) {
        Actor actor = current.get();
        if (actor == null) {
            return;
        }
        synchronized (this) {
            actor.at = call;
            actor.arrivals++;
            notifyAll();
            while (!actor.go) {
                await();
            }
            actor.go = false;
            actor.at = null;
        }
    }

    private void await() {
        try {
            wait(WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The call writer {@code name} is stopped before, or {@link #DONE}; waits until it is one or the other. */
    synchronized String next(String name) {
        Actor actor = actors.get(name);
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (actor.at == null && !actor.done) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("writer " + name + " neither reached a call nor ended");
            }
            await();
        }
        return actor.done ? DONE : actor.at;
    }

    /**
     * Lets writer {@code name} make the call it is stopped before, which must be {@code expected}, and
     * returns what it is stopped before next ({@link #DONE} when it ended).
     */
    synchronized String step(String name, String expected) {
        String at = next(name);
        if (!at.equals(expected)) {
            throw new AssertionError("writer " + name + " is at " + at + ", expected " + expected);
        }
        Actor actor = actors.get(name);
        long arrivals = actor.arrivals;
        actor.go = true;
        notifyAll();
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (actor.arrivals == arrivals && !actor.done) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("writer " + name + " did not get past " + expected);
            }
            await();
        }
        return next(name);
    }

    /** Lets writer {@code name} run to its end, call by call; returns its result or throws its failure. */
    synchronized Object finish(String name) {
        for (String at = next(name); !at.equals(DONE); at = next(name)) {
            step(name, at);
        }
        Actor actor = actors.get(name);
        if (actor.failure != null) {
            throw actor.failure;
        }
        return actor.result;
    }
}
