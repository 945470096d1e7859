package sqlx
import ("database/sql";"fmt";"testing"; _ "modernc.org/sqlite")
func TestX(t *testing.T){
 db,err:=sql.Open("sqlite","file:/tmp/sqlx/x.db?mode=rwc"); if err!=nil{t.Fatal(err)}
 for _,q:=range []string{"select sqlite_version()","select '3.000'*1, '3.5'*2, 7/2, '6.0'/4, CAST('2024-01-02 10:00:00' AS DATE)",
 "select strftime('%Y-%m-%d 00:00:00','2024-03-07 10:11:12','weekday 0','-6 days'), strftime('%w','2024-03-04')",
 "select printf('%.10f', 2.5), round(2.5, 10), 1e20, typeof(sum(x)) from (select 1.5 as x)",
 "select ?1 + ?2", "select 'a' like 'A', unixepoch('2024-01-01 00:00:00')", "select 1 order by 1 nulls first"}{
  rows,err:=db.Query(q, 3, 4); if err!=nil{t.Log(q,err);continue}
  cols,_:=rows.Columns(); for rows.Next(){ v:=make([]any,len(cols)); p:=make([]any,len(cols)); for i:=range v{p[i]=&v[i]}; rows.Scan(p...); s:=""; for _,x:=range v{s+=fmt.Sprintf("%T:%v | ",x,x)}; t.Log(s)}; rows.Close()}
 _,err=sql.Open("sqlite","file:/tmp/sqlx/missing.db?mode=ro"); t.Log(err)
 db2,_:=sql.Open("sqlite","file:/tmp/sqlx/missing.db?mode=ro"); t.Log(db2.Ping())
 _,err=db2.Query("select 1"); t.Logf("%T %v",err,err)
}
