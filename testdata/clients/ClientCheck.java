// pgjdbc against Lattice: DatabaseMetaData as BI tools call it, a
// PreparedStatement executed past pgjdbc's prepareThreshold (it then uses a
// named server-side statement) and a cursor read with setFetchSize.
// Prints one "name<TAB>value" line per check; the Go test compares them.
import java.sql.*;
import java.util.*;

public class ClientCheck {
    static void out(String name, Object value) { System.out.println(name + "\t" + value); }

    static String column(ResultSet rs, String col) throws SQLException {
        List<String> vals = new ArrayList<>();
        while (rs.next()) vals.add(rs.getString(col));
        rs.close();
        return String.join(",", vals);
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + args[0] + "/any?sslmode=disable";
        Properties p = new Properties();
        p.setProperty("user", "any");
        p.setProperty("password", args[1]);
        try (Connection c = DriverManager.getConnection(url, p)) {
            DatabaseMetaData md = c.getMetaData();
            out("product", md.getDatabaseProductName());
            out("schemas", column(md.getSchemas(), "TABLE_SCHEM"));
            out("catalogs", column(md.getCatalogs(), "TABLE_CAT"));
            out("tables", column(md.getTables(null, "public", "%", new String[] {"TABLE"}), "TABLE_NAME"));
            ResultSet cols = md.getColumns(null, "public", "orders", "%");
            List<String> cs = new ArrayList<>();
            while (cols.next()) cs.add(cols.getString("COLUMN_NAME") + ":" + cols.getString("TYPE_NAME"));
            out("columns", String.join(",", cs));
            out("primary_keys", column(md.getPrimaryKeys(null, "public", "orders"), "COLUMN_NAME"));
            out("imported_keys", column(md.getImportedKeys(null, "public", "orders"), "PKTABLE_NAME"));
            out("exported_keys", column(md.getExportedKeys(null, "public", "orders"), "FKTABLE_NAME"));
            out("index_info", column(md.getIndexInfo(null, "public", "orders", false, false), "INDEX_NAME"));
            ResultSet ti = md.getTypeInfo();
            int types = 0;
            boolean hasNumeric = false;
            while (ti.next()) { types++; if ("numeric".equals(ti.getString("TYPE_NAME"))) hasNumeric = true; }
            out("type_info_has_numeric", hasNumeric && types > 10);

            try (PreparedStatement ps = c.prepareStatement("SELECT MEASURE(count) FROM orders WHERE status = ?")) {
                List<String> counts = new ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    ps.setString(1, i % 2 == 0 ? "completed" : "shipped");
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        counts.add(Long.toString(rs.getLong(1)));
                    }
                }
                out("prepared", String.join(",", counts));
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(3);
                int n = 0;
                try (ResultSet rs = st.executeQuery("SELECT id, status FROM orders ORDER BY id")) {
                    while (rs.next()) n++;
                }
                out("fetch_size_rows", n);
            }
            c.commit();
        }
    }
}
