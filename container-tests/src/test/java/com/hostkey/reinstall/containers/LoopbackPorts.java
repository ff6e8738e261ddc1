package com.hostkey.reinstall.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ports for the containers' listeners: every container shares the host's network, so each listener
 * binds 127.0.0.1 on a port free at run time, never one of the local stack's fixed ports (which
 * another stack on the machine may hold or take at any moment), and never the same port twice in
 * one run (a restarted container must find its port still its own).
 */
final class LoopbackPorts {

    /** deploy/stack.sh's ports: Kafka, its controller, registry and its management, simulator, projector, handler. */
    static final Set<Integer> LOCAL_STACK_PORTS = Set.of(29092, 29093, 28081, 28091, 28090, 28083, 28084);

    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private LoopbackPorts() {}

    static int next() {
        while (true) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on the loopback interface", e);
            }
            if (!LOCAL_STACK_PORTS.contains(port) && GIVEN.add(port)) {
                return port;
            }
        }
    }
}
