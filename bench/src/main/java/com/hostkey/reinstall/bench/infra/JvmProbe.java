package com.hostkey.reinstall.bench.infra;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads the heap of another JVM on this machine through its platform MBeans: attaches by pid,
 * starts the JDK's local management agent (no port, no flag on the target) and connects to it.
 */
public final class JvmProbe implements AutoCloseable {

    private final JMXConnector connector;
    private final MemoryMXBean memory;

    private JvmProbe(JMXConnector connector, MemoryMXBean memory) {
        this.connector = connector;
        this.memory = memory;
    }

    public static JvmProbe attach(long pid) throws IOException {
        String address;
        try {
            VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (com.sun.tools.attach.AttachNotSupportedException e) {
            throw new IOException("cannot attach to " + pid + ": " + e.getMessage(), e);
        }
        JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
        MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
                ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        return new JvmProbe(connector, memory);
    }

    /** Heap in use now (live objects and garbage not yet collected), in MB. */
    public double heapUsedMb() {
        return memory.getHeapMemoryUsage().getUsed() / 1024.0 / 1024.0;
    }

    /** Heap the JVM has reserved from the OS now, in MB. */
    public double heapCommittedMb() {
        return memory.getHeapMemoryUsage().getCommitted() / 1024.0 / 1024.0;
    }

    /** Heap still in use after a full collection: the live set, in MB. */
    public double liveHeapMb() {
        memory.gc();
        return heapUsedMb();
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // The target may have been killed already; nothing to release then.
        }
    }
}
