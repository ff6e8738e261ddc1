package com.hostkey.reinstall.schemas.secrets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Consumer;

/** Hand edits of a JWE compact string, as an attacker (or a careless producer) would make them. */
final class JweParts {

    static final int HEADER = 0;
    static final int ENCRYPTED_KEY = 1;
    static final int IV = 2;
    static final int CIPHERTEXT = 3;
    static final int TAG = 4;

    private static final ObjectMapper JSON = new ObjectMapper();

    private JweParts() {}

    /** The compact string with one bit of one part's bytes flipped. */
    static String flipBit(String compact, int part) {
        String[] parts = compact.split("\\.", -1);
        byte[] bytes = Base64.getUrlDecoder().decode(parts[part]);
        bytes[bytes.length / 2] ^= 1;
        parts[part] = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return String.join(".", parts);
    }

    /** The compact string with its protected header edited (the other parts as they were). */
    static String editHeader(String compact, Consumer<ObjectNode> edit) {
        String[] parts = compact.split("\\.", -1);
        try {
            ObjectNode header = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(parts[HEADER]));
            edit.accept(header);
            parts[HEADER] = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return String.join(".", parts);
    }

    /** The protected header as JSON. */
    static ObjectNode header(String compact) {
        try {
            return (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(compact.split("\\.", -1)[HEADER]));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
