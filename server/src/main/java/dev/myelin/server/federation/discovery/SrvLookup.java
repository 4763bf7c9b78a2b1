package dev.myelin.server.federation.discovery;

import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;

/** DNS SRV lookups (RFC 2782) through the JDK's JNDI DNS provider. */
@FunctionalInterface
public interface SrvLookup {

    /** A target of an SRV record. */
    record Target(String host, int port) {
    }

    /** The preferred target of {@code name} (lowest priority, then highest weight); empty when there is none. */
    Optional<Target> lookup(String name);

    /** Asks the system's DNS servers. */
    static SrvLookup dns() {
        return name -> {
            var env = new Hashtable<String, String>();
            env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
            env.put("java.naming.provider.url", "dns:");
            env.put("com.sun.jndi.dns.timeout.initial", "2000");
            env.put("com.sun.jndi.dns.timeout.retries", "2");
            try {
                var context = new InitialDirContext(env);
                try {
                    Attributes attributes = context.getAttributes(name, new String[]{"SRV"});
                    Attribute srv = attributes.get("SRV");
                    if (srv == null) {
                        return Optional.empty();
                    }
                    var records = new ArrayList<String>();
                    for (int i = 0; i < srv.size(); i++) {
                        records.add(String.valueOf(srv.get(i)));
                    }
                    return best(records);
                } finally {
                    context.close();
                }
            } catch (NamingException e) {
                return Optional.empty();
            }
        };
    }

    /** Picks from records written "priority weight port target"; a target of "." means no service. */
    static Optional<Target> best(List<String> records) {
        record Parsed(int priority, int weight, Target target) {
        }
        var parsed = new ArrayList<Parsed>();
        for (String record : records) {
            String[] parts = record.trim().split("\\s+");
            if (parts.length != 4) {
                continue;
            }
            try {
                String host = parts[3].endsWith(".") ? parts[3].substring(0, parts[3].length() - 1) : parts[3];
                int port = Integer.parseInt(parts[2]);
                if (host.isEmpty() || port <= 0 || port > 65535) {
                    continue;
                }
                parsed.add(new Parsed(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), new Target(host, port)));
            } catch (NumberFormatException e) {
                // skip a malformed record
            }
        }
        return parsed.stream()
                .min(Comparator.comparingInt(Parsed::priority).thenComparing(Comparator.comparingInt(Parsed::weight).reversed()))
                .map(Parsed::target);
    }
}
