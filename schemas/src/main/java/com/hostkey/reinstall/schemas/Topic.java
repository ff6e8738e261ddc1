package com.hostkey.reinstall.schemas;

import org.apache.kafka.common.serialization.Serde;

/** A topic with its key and value serdes: the only way code names a topic. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    @Override
    public String toString() {
        return name;
    }
}
