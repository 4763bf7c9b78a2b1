package dev.myelin.server.receipt;

import dev.myelin.server.storage.ReceiptStore.Receipt;

/** Told of each public ({@code m.read}) receipt a local user sets, e.g. to send it in an {@code m.receipt} EDU. */
@FunctionalInterface
public interface PublicReceiptListener {
    void published(Receipt receipt);
}
