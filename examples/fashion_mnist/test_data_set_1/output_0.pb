
BlogitsJ(jH@_ม.UAๅ}ภpซL@|-Dม@ขvbมพม	?ม