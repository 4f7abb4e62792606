package io.github.imcallbackbridge.boot;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The database's timeouts, all following from the one callback deadline ({@code callback.deadline-ms}, default
 * 1500), so that no thread waits on an unavailable database much longer than a callback may:
 * <ul>
 * <li>the pool's connection timeout: the deadline; its validation timeout: a third of it (at least 250 ms);</li>
 * <li>on PostgreSQL, unless the JDBC URL sets them: {@code connectTimeout} = the deadline in whole seconds,
 * rounded up; the server's {@code statement_timeout} = the deadline; {@code socketTimeout} = twice the
 * connect timeout (only a silent network, never a slow statement, reaches it).</li>
 * </ul>
 * A connection that failed because the database went away is dropped from the pool ({@link EvictBrokenConnections}).
 * Flyway migrates with a connection of its own, without these timeouts, so a long migration is not cut short.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseTimeouts {

    @Bean
    static BeanPostProcessor callbackDeadlineTimeouts(Environment environment) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof HikariDataSource pool) {
                    apply(pool, deadline(environment));
                }
                return bean;
            }
        };
    }

    @Bean
    FlywayConfigurationCustomizer migrationsWithoutCallbackTimeouts(Environment environment) {
        return configuration -> {
            String url = environment.getProperty("spring.datasource.url");
            if (url != null) {
                configuration.dataSource(url, environment.getProperty("spring.datasource.username"),
                        environment.getProperty("spring.datasource.password"));
            }
        };
    }

    static long deadline(Environment environment) {
        return environment.getProperty("callback.deadline-ms", Long.class, 1500L);
    }

    static void apply(HikariDataSource pool, long deadlineMs) {
        pool.setConnectionTimeout(Math.max(250, deadlineMs));
        pool.setValidationTimeout(Math.max(250, deadlineMs / 3));
        if (pool.getExceptionOverrideClassName() == null) {
            pool.setExceptionOverrideClassName(EvictBrokenConnections.class.getName());
        }
        String url = pool.getJdbcUrl();
        if (url != null && url.startsWith("jdbc:postgresql:")) {
            long connectSeconds = Math.max(1, (deadlineMs + 999) / 1000);
            setUnlessInUrl(pool, url, "connectTimeout", String.valueOf(connectSeconds));
            setUnlessInUrl(pool, url, "socketTimeout", String.valueOf(2 * connectSeconds));
            setUnlessInUrl(pool, url, "options", "-c statement_timeout=" + deadlineMs);
        }
    }

    private static void setUnlessInUrl(HikariDataSource pool, String url, String name, String value) {
        if (!url.contains(name + "=")) {
            pool.addDataSourceProperty(name, value);
        }
    }
}
