package io.github.imcallbackbridge.database;

import io.github.imcallbackbridge.CommaList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rows (maps) turned into the named parameters of one {@code INSERT … SELECT … FROM UNNEST(CAST(:#a AS VARCHAR
 * ARRAY), …)}, so that a callback's rows of one table reach the database as one statement, whatever their number.
 * <p>
 * Configured per statement in {@code routes/beans.camel.yaml}: {@code arrays} lists {@code parameter=key} pairs
 * (each parameter is an array of every row's {@code key}, as text, in row order) and {@code shared} the keys
 * whose value is the same in every row (each a single parameter of the same name). Rows that differ in a
 * shared key were not meant for one statement: they are refused rather than written with one row's value.
 */
public class UnnestColumns {

    private final Map<String, String> arrays = new LinkedHashMap<>();
    private final List<String> shared = new ArrayList<>();

    /** {@code parameter=key,…}: the parameters that are arrays, and the row key each is made of. */
    public void setArrays(String pairs) {
        arrays.clear();
        for (String pair : CommaList.of(pairs)) {
            String[] parameterAndKey = pair.split("=", -1);
            if (parameterAndKey.length != 2 || parameterAndKey[0].isBlank() || parameterAndKey[1].isBlank()) {
                throw new IllegalArgumentException("arrays takes parameter=key pairs separated by commas, not '" + pair + "'");
            }
            arrays.put(parameterAndKey[0].trim(), parameterAndKey[1].trim());
        }
    }

    /** {@code key,…}: the keys every row has the same value for, each a parameter of its own. */
    public void setShared(String keys) {
        shared.clear();
        shared.addAll(CommaList.of(keys));
    }

    /** The statement's parameters: the arrays in row order and the shared values (null when there are no rows). */
    public Map<String, Object> of(List<Map<String, Object>> rows) {
        int n = rows.size();
        Map<String, Object> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, String> array : arrays.entrySet()) {
            String[] column = new String[n];
            for (int i = 0; i < n; i++) {
                column[i] = Objects.toString(rows.get(i).get(array.getValue()), null);
            }
            parameters.put(array.getKey(), column);
        }
        for (String key : shared) {
            Object value = n == 0 ? null : rows.get(0).get(key);
            for (Map<String, Object> row : rows) {
                if (!Objects.equals(value, row.get(key))) {
                    throw new IllegalArgumentException("rows of one statement must share " + key);
                }
            }
            parameters.put(key, value);
        }
        return parameters;
    }
}
